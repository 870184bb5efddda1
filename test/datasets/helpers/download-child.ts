// Child process for the Ctrl-C test: download argv[2] to argv[3] (md5 argv[4]) and never finish on its own.
import { downloadVerified } from '../../../src/datasets/download.js';

const [url, dest, md5] = process.argv.slice(2);
await downloadVerified(url, dest, { md5, label: 'download', quiet: true, what: 'test file', offline: 'test: no offline alternative' });
