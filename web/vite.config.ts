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
    // Vite 8's default ("baseline widely available"); Vite 6's own is older browsers. Vite 6 is the
    // newest Vite that runs on Debian 12's Node 18.
    target: ['chrome111', 'edge111', 'firefox114', 'safari16.4', 'ios16.4'],
  },
});
