// The UI is served by `torghut serve` / `torghut up` under /torghut/ (SPEC §8): every asset URL is
// built with that base, and hashed file names let the server mark /torghut/assets/* immutable.
// One HTML entry per page: the server answers /torghut/visuals with index.html and
// /torghut/trading with trading.html; code both pages import is split into a shared chunk. (Vite
// resolves the inputs against its root, this folder.)
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/torghut/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    rollupOptions: {
      input: { index: 'index.html', trading: 'trading.html' },
      // What both pages load, in chunks named for what they hold: the libraries ("vendor") and
      // the base style, the JSON GET and Vite's preload polyfill ("shared"); rollup would name
      // them after a module inside.
      output: {
        manualChunks: (id) => {
          if (id.includes('/node_modules/')) return 'vendor';
          if (/\/src\/(http\.ts|style\.css)$/.test(id) || id.includes('modulepreload-polyfill')) return 'shared';
          return undefined;
        },
      },
    },
    // Vite 8's default ("baseline widely available"); Vite 6's own is older browsers. Vite 6 is the
    // newest Vite that runs on Debian 12's Node 18.
    target: ['chrome111', 'edge111', 'firefox114', 'safari16.4', 'ios16.4'],
  },
});
