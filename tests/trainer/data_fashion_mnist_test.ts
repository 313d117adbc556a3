/** The real Fashion-MNIST from the Debian package dataset-fashion-mnist. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Prng } from "../../shared/prng.ts";
import { loadIdxDataset, openDataset } from "../../trainer/data/mod.ts";

const DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
const absent = !existsSync(DEBIAN_DIR);

/** Checks shape, range and labels of a loaded split. */
function checkSplit(
  set: Awaited<ReturnType<typeof loadIdxDataset>>,
  count: number,
) {
  assert.equal(set.count, count);
  assert.deepEqual([set.height, set.width, set.channels], [28, 28, 1]);
  assert.equal(set.x.length, count * 784);
  let min = Infinity, max = -Infinity;
  for (const v of set.x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.deepEqual([min, max], [-1, 1]);
  const perClass = new Array(10).fill(0);
  for (const l of set.labels!) perClass[l]++;
  // Fashion-MNIST is balanced: every class has exactly a tenth.
  assert.deepEqual(perClass, new Array(10).fill(count / 10));
}

Deno.test({
  name: `real Fashion-MNIST: 60000 train / 10000 test, 28×28, [-1, 1], labels 0..9${
    absent ? ` (skipped: ${DEBIAN_DIR} absent; apt-get install dataset-fashion-mnist)` : ""
  }`,
  ignore: absent,
  async fn() {
    const data = await openDataset("fashion-mnist");
    assert.equal(data.size, 60000);
    assert.deepEqual(data.output, {
      kind: "image",
      height: 28,
      width: 28,
      channels: 1,
      range: [-1, 1],
    });
    assert.deepEqual(data.classNames, [
      "T-shirt/top",
      "Trouser",
      "Pullover",
      "Dress",
      "Coat",
      "Sandal",
      "Shirt",
      "Sneaker",
      "Bag",
      "Ankle boot",
    ]);
    const batch = data.batch(new Prng(0), 64);
    assert.equal(batch.x.length, 64 * 784);
    assert.equal(batch.labels?.length, 64);

    checkSplit(await loadIdxDataset("fashion-mnist", "train"), 60000);
    const test = await loadIdxDataset("fashion-mnist", "test");
    checkSplit(test, 10000);
    // The first test image is an ankle boot (class 9), as in every copy.
    assert.equal(test.labels![0], 9);
  },
});
