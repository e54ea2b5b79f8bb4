// A perfectly loadable shared library that is not a sparsepath plugin (no entry point).
extern "C" __attribute__((visibility("default"))) int sparsepath_test_unrelated_function(int value) {
  return value * 2 + 1;
}
