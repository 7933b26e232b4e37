export * from './types';
export * from './defaults';
export * from './resolve';
export * from './errors';
export * from './derive';
export * from './duration';
export * from './quantity';
export * from './file';
