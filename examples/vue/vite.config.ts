import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [vue()],
  // The viewer loads its decode worker from beside its own file; Vite's dev-time pre-bundling would move the file.
  optimizeDeps: { exclude: ['wsi-stream'] },
});
