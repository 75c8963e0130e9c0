import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'jsdom',
      include: ['tests/**/*.spec.ts'],
      setupFiles: ['tests/setup.ts'],
      restoreMocks: true,
      // Components import their stylesheets (vite.config.ts); Vite, not
      // Node, must load element-plus for those imports to resolve.
      server: { deps: { inline: ['element-plus'] } },
    },
  }),
)
