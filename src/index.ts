export * from './config';
export * from './contract';
export * from './stack';
export * from './app';
export * from './rules';
export * from './dashboard';
export * from './operator';
