import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import ElementPlus from 'unplugin-element-plus/vite'

// The desktop shell (src-tauri) loads `dist/` in release builds and the dev
// server below in debug builds (tauri.conf.json: build.devUrl).
export default defineConfig({
  plugins: [
    vue(),
    // Element Plus on demand: only the components the templates use, each
    // with its own stylesheet, instead of the whole library and its 370 KB
    // of CSS (less for the window to parse and keep; BENCHMARKS.md).
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
    // The same for components and services imported in scripts (ElMessage…).
    ElementPlus({}),
  ],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: '127.0.0.1',
  },
  build: {
    // WebKitGTK 2.40+ (Debian 12) and WebView2 both support ES2021.
    target: 'es2021',
    // Screens other than the workbench are separate chunks (App.vue), read
    // from the app's own assets when first opened.
    chunkSizeWarningLimit: 2048,
  },
})
