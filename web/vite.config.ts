// The UI is served by `torghut serve` / `torghut up` under /torghut/ (SPEC §8): every asset URL is
// built with that base, and hashed file names let the server mark /torghut/assets/* immutable.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/torghut/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
  },
});
