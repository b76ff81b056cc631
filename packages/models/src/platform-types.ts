/** Whether a native TensorFlow.js backend package is installed, and why it cannot run if it cannot. */
export interface NativeBackendStatus {
  installed: boolean;
  /** Why an installed package cannot run (missing native binding, missing tfjs-core); undefined when it can. */
  problem?: string;
}
