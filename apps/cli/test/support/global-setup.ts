// One Prism mock of the bundled spec for the whole run, provided as `prismUrl`.
export { default } from '@sims/testkit/global-setup';
