/** @lucid/nx-lucid: Nx plugin entry. Nx loads createNodes and createDependencies from here. */
export { createNodes } from './graph/create-nodes';
export { createDependencies } from './graph/create-dependencies';
export const name = '@lucid/nx-lucid';
