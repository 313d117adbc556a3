/**
 * Loads a dataset split in a child process, so a test sees the default
 * progress output on a non-terminal stdout and the GAN_EDGE_* variables at
 * work. Argument: JSON of { spec, split }; prints "loaded N" at the end.
 */
import { loadIdxDataset } from "../../trainer/data/mod.ts";

const { spec, split } = JSON.parse(Deno.args[0]);
const set = await loadIdxDataset(spec, split);
console.log(`loaded ${set.count}`);
