// @ts-check
/*
 * The embedded vector store: PGlite with pgvector, served over the PostgreSQL
 * wire protocol on a loopback port, in a worker thread of the backend (PGlite
 * runs queries synchronously; here they do not block the backend's event loop).
 * Started by src/store/connect.ts; posts { port } once it listens.
 */
const { parentPort, workerData } = require('node:worker_threads');

async function main() {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create({
    dataDir: workerData.dataDir,
    extensions: { vector },
  });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: workerData.maxConnections,
  });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  parentPort?.on('message', async message => {
    if (message === 'stop') {
      await server.stop();
      await db.close();
      parentPort?.postMessage({ stopped: true });
    }
  });
  parentPort?.postMessage({ port });
}

main().catch(error => {
  parentPort?.postMessage({ error: String(error?.stack ?? error) });
});
