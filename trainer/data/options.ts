/**
 * The options every data loader takes, documented once.
 *
 * @module
 */
import type { DownloadProgress } from "./download.ts";

/** How `openDataset` finds and shapes data; every field is optional. */
export interface DataOptions {
  /**
   * `--data-dir`: a folder holding the IDX files of `mnist`/`fashion-mnist`
   * (e.g. `train-images-idx3-ubyte.gz` or the same without `.gz`). Looked in
   * first; when given and lacking the files, that is an error (no other copy
   * is used silently). Ignored by the other datasets.
   */
  dataDir?: string;
  /**
   * Where downloads are kept, one sub-folder per dataset. Default:
   * $GAN_EDGE_CACHE_DIR, else $XDG_CACHE_HOME/gan-edge, else ~/.cache/gan-edge.
   */
  cacheDir?: string;
  /**
   * Side of the square images the model takes. IDX datasets: 28 (default) or
   * 32 (padded by 2 with the background, −1, as DCGAN users do). `folder:`:
   * any positive size (default 28), resized.
   */
  imageSize?: number;
  /**
   * Base URL to download IDX files from instead of upstream; a file is
   * fetched from `${mirror}/${dataset}/${file}`, e.g.
   * `http://127.0.0.1:8080/mnist/train-images-idx3-ubyte.gz`. Default:
   * $GAN_EDGE_DATA_MIRROR.
   */
  mirror?: string;
  /** false: never download (missing data is then an error). Default true. */
  download?: boolean;
  /**
   * Called as a download proceeds. Default: a progress bar on stdout, redrawn
   * on a terminal and plain lines (one per 10 %) otherwise.
   */
  onProgress?: (progress: DownloadProgress) => void;
}
