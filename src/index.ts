export * from './config';
export * from './contract';
