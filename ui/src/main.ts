import { createApp } from 'vue'
import { ElMessage, ElMessageBox, provideGlobalConfig } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
// The theme's variables; each component brings its own styles (vite.config.ts).
import 'element-plus/theme-chalk/base.css'
import './style.css'
import App from './App.vue'

const app = createApp(App)
// Chinese texts and the compact size for every component, as installing the
// whole library with these options would.
provideGlobalConfig({ locale: zhCn, size: 'small' }, app, true)
// Messages and message boxes are opened from scripts, outside any component:
// installing them gives them the app's context, hence the settings above.
app.use(ElMessage).use(ElMessageBox)
app.mount('#app')
