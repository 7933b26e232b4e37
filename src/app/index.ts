export * from './heap-watched-app';
export * from './node-options';
export * from './container-env';
export * from './code-delivery';
export * from './shipped-code';
