/* Nothing of its own: the module is emscripten's libc allocator (-sMALLOC=...), exported. */
