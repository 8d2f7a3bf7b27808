/**
 * Allocators outside the core's own sources: {@link talc.blocks.SuppliedAllocator} gives a core
 * allocator more heaps from a {@link talc.blocks.HeapSupply} when it runs out, and
 * {@link talc.blocks.BlockHeaps}, the supply of allocators inside allocators, keeps the heaps of
 * a child allocator in blocks of a parent and gives each block back when its heap is empty. Plain Java
 * over {@code talc.core}'s static API, used on the JVM ({@code talc.jvm}) and in TeaVM apps
 * ({@code talc.teavm}); unlike {@code talc.core}, it may use objects and collections.
 */
package talc.blocks;
