export * from './config';
export * from './contract';
export * from './stack';
export * from './app';
