/** Where `serve` keeps its state unless told otherwise: in the working directory, ignored by git. */
export const DEFAULT_STATE_FILE = ".pandapon-mock/state.sqlite";
