import type { Socket } from 'node:net';

/**
 * Whether a socket just opened reaches `ready` ('connect' for TCP, 'secureConnect' for a TLS handshake) before an
 * error or its timeout; the socket is destroyed either way. For probes that ask what answers at an address.
 */
export function socketReaches(socket: Socket, ready: 'connect' | 'secureConnect'): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once(ready, () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
