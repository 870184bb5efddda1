import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './shared.js';

export interface ServeProcess {
  /** Base URL as OpenAI clients take it: http://127.0.0.1:<port>/v1 */
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Send `signal` (default SIGTERM) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `beir-bench serve --port 0 ...args` as a real process; resolves once it printed its address. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const url = await new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      const m = / at (http:\/\/\S+\/v1) /.exec(stderr);
      if (m) ok(m[1]);
    });
    void exited.then(({ code, signal }) => fail(new Error(`beir-bench serve exited (${code ?? signal}) before listening:\n${stderr}`)));
  });
  return {
    url,
    child,
    stderr: () => stderr,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
