import { Transform } from 'node:stream';

/** A pass-through stream that shows every chunk to `onChunk` (hashing, byte counts for progress). */
export function tap(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
}
