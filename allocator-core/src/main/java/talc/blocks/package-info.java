/**
 * Allocators inside allocators: {@link talc.blocks.BlockHeaps} keeps the heaps of a child
 * allocator in blocks of a parent and gives each block back when its heap is empty. Plain Java
 * over {@code talc.core}'s static API, used on the JVM ({@code talc.jvm}) and in TeaVM apps
 * ({@code talc.teavm}); unlike {@code talc.core}, it may use objects and collections.
 */
package talc.blocks;
