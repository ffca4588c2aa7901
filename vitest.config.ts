import { defineConfig } from 'vitest/config';

const conditions = ['@budflow/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        resolve: { conditions },
        ssr: { resolve: { conditions } },
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'tooling/*/src/**/*.test.ts',
            'packages/e2e/test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
          env: { TZ: 'UTC' },
        },
      },
      {
        resolve: { conditions },
        ssr: { resolve: { conditions } },
        test: {
          name: 'integration',
          include: [
            'packages/*/test/integration/**/*.int.test.ts',
            'apps/*/test/integration/**/*.int.test.ts',
            'packages/e2e/test/**/*.int.test.ts',
          ],
          env: { TZ: 'UTC' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
