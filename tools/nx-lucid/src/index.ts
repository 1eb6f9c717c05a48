/** @lucid/nx-lucid: Nx plugin entry. Nx loads createNodes and createDependencies from here. */
export { createNodes } from './plugin/create-nodes';
export { createDependencies } from './plugin/create-dependencies';
export const name = '@lucid/nx-lucid';
