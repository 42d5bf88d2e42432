import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [react()],
  // The viewer loads its decode worker from beside its own file; Vite's dev-time pre-bundling would move the file.
  optimizeDeps: { exclude: ['wsi-stream'] },
});
