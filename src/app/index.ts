export * from './heap-watched-app';
export * from './node-options';
export * from './container-env';
