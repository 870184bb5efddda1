import cliProgress from 'cli-progress';

/** Progress of one long step: a bar with rate and ETA on a TTY, periodic one-line updates otherwise (CI logs). */
export interface Progress {
  /** Advance by n units. */
  tick(n?: number): void;
  /** Set the absolute position (e.g. bytes received). */
  update(done: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Unit shown with the rate, e.g. "passages" or "MB". */
  unit: string;
  /** Scale applied to counts for display (e.g. 1/1e6 for bytes -> MB). */
  scale?: number;
  stream?: NodeJS.WriteStream;
  /** Seconds between non-TTY lines. */
  intervalSeconds?: number;
  /** Force quiet (tests, --quiet). */
  quiet?: boolean;
}

export function startProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const scale = opts.scale ?? 1;
  const fmt = (v: number) => (scale === 1 ? String(v) : (v * scale).toFixed(1));
  let done = 0;
  if (opts.quiet || opts.total <= 0) {
    return { tick: (n = 1) => void (done += n), update: (d) => void (done = d), stop: () => {} };
  }
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${opts.label} [{bar}] {percentage}% | {shown}/{shownTotal} ${opts.unit} | {rate} ${opts.unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    const payload = () => {
      const secs = Math.max((Date.now() - started) / 1000, 1e-3);
      return { shown: fmt(done), shownTotal: fmt(opts.total), rate: (done * scale / secs).toFixed(1) };
    };
    bar.start(opts.total, 0, payload());
    return {
      tick(n = 1) { done += n; bar.update(done, payload()); },
      update(d) { done = d; bar.update(done, payload()); },
      stop() { bar.update(done, payload()); bar.stop(); },
    };
  }
  const started = Date.now();
  const every = (opts.intervalSeconds ?? 10) * 1000;
  let lastLine = started;
  const line = (final: boolean) => {
    const secs = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = (done * scale) / secs;
    const pct = ((100 * done) / opts.total).toFixed(1);
    const eta = rate > 0 && !final ? ` ETA ${Math.round(((opts.total - done) * scale) / rate)}s` : '';
    stream.write(`${opts.label}: ${fmt(done)}/${fmt(opts.total)} ${opts.unit} (${pct}%) ${rate.toFixed(1)} ${opts.unit}/s${eta}${final ? ` in ${secs.toFixed(1)}s` : ''}\n`);
  };
  const maybe = () => {
    const now = Date.now();
    if (now - lastLine >= every) { lastLine = now; line(false); }
  };
  return {
    tick(n = 1) { done += n; maybe(); },
    update(d) { done = d; maybe(); },
    stop() { line(true); },
  };
}
