import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start loopback servers; keep within the 2-core machine.
    maxWorkers: 2,
    env: {
      AWS_ACCESS_KEY_ID: 'AKIDTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
