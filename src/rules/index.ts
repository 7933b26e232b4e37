export * from './model';
export * from './build';
export * from './render';
export * from './links';
export * from './promtool-tests';
