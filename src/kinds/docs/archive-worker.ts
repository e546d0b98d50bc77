/**
 * The docs archive's worker thread (started by buildDocsArchive from the compiled dist/): writes
 * the archive to the temp file it is given and answers with the result or the error. It imports
 * only archive.js and what that needs (the tar writer, node built-ins, @semantic-release/error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sendableError, writeArchive, type WorkerData, type WorkerReply } from './archive.js';

const { input, tmp } = workerData as WorkerData;
const reply = (message: WorkerReply): void => parentPort!.postMessage(message);
writeArchive(input, tmp).then(
  (written) => reply({ written }),
  (error: unknown) => reply({ error: sendableError(error) }),
);
