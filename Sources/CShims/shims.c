/* Intentionally empty: CShims is header-only, SwiftPM needs one source file. */
