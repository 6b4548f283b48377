import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Built into ui/dist, which tauri.conf.json serves; the page loads nothing from the network.
// `npm test`: the components' tests (Vitest, in jsdom); the real window has WebDriver tests.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  base: './',
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2021' },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
});
