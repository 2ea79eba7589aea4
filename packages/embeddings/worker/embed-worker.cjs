// @ts-check
/*
 * all-MiniLM-L6-v2 in a worker thread (src/InProcessEmbedder.ts starts it), so
 * that tokenizing and the ONNX runs keep off the backend's event loop. Posts
 * { ready: true } once the model is loaded, or { error } if it cannot be; then
 * answers each { id, texts } with { id, vectors, tokens } (the vectors' buffers
 * transferred, not copied) or { id, error }.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { Embedder } = require('./embedder.cjs');

async function main() {
  const port = parentPort;
  if (!port) throw new Error('embed-worker.cjs runs as a worker thread');
  let embedder;
  try {
    embedder = await Embedder.create({
      modelDir: workerData.modelDir,
      threads: workerData.threads,
    });
  } catch (error) {
    port.postMessage({ error: String(error) });
    return;
  }
  port.on(
    'message',
    /** @param {{ id: number, texts: string[] }} message */
    async ({ id, texts }) => {
      try {
        const { vectors, tokens } = await embedder.embed(texts);
        port.postMessage(
          { id, vectors, tokens },
          vectors.map(v => v.buffer),
        );
      } catch (error) {
        port.postMessage({ id, error: String(error) });
      }
    },
  );
  port.postMessage({ ready: true });
}

main();
