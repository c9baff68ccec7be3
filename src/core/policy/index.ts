// The policy engine's public surface: a flat list of re-exports.
export * from './types';
export * from './parse';
export * from './match';
export * from './variables';
export * from './conditions';
export * from './compile';
export * from './evaluate';
export * from './simulate';
export * from './catalog';
export * from './managed';
export * from './sources';
export * from './effective';
export * from './diff';
export * from './risk';
export * from './lint';
export * from './sessionContext';
