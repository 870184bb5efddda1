import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real-model and OpenSearch tests load ONNX sessions / talk to a node: give them room.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: run files in parallel but not more than the machine has.
    maxWorkers: 2,
  },
});
