import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The desktop shell (src-tauri) loads `dist/` in release builds and the dev
// server below in debug builds (tauri.conf.json: build.devUrl).
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: '127.0.0.1',
  },
  build: {
    // WebKitGTK 2.40+ (Debian 12) and WebView2 both support ES2021.
    target: 'es2021',
    // One bundle for an offline desktop window; no need to split.
    chunkSizeWarningLimit: 2048,
  },
})
