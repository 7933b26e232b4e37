export * from './render-tests';
export * from './go-format';
