// signal-exit, which execa uses inside the `steps` part, keeps one emitter per process on
// a non-configurable global (Symbol.for('signal-exit emitter')); whoever loads it first
// owns it. Loading it from the main script makes that emitter the main script's, so that
// the steps part holds nothing global and can be released after a burst of steps (see
// runtime/agent-parts.ts). Same major version as execa's copy: the emitter is shared.
import 'signal-exit';
