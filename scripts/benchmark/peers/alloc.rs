//! The C allocation ABI over Rust std's wasm32 allocator (std::alloc::System, which is
//! dlmalloc-rs on wasm32-unknown-unknown), for the benchmark (peers.mjs builds it).
//!
//! System wants the Layout back on dealloc and realloc, so each block carries it in an 8-byte
//! header just below the returned pointer:
//!
//!     base                          p = base + align
//!     | padding ... | size u32 | align u32 | the caller's bytes ...
//!
//! The header takes the last 8 bytes of the first `align` bytes (align >= 8), so an
//! over-aligned block keeps it in its padding.
use std::alloc::{GlobalAlloc, Layout, System};

const HDR: usize = 8;

#[inline]
fn layout_for(size: usize, align: usize) -> Option<(Layout, usize)> {
    let align = align.max(HDR);
    let off = align;
    let total = size.checked_add(off)?;
    Layout::from_size_align(total, align).ok().map(|l| (l, off))
}

#[inline]
unsafe fn alloc_impl(size: usize, align: usize, zeroed: bool) -> *mut u8 {
    let (layout, off) = match layout_for(size, align) { Some(x) => x, None => return std::ptr::null_mut() };
    let base = if zeroed { System.alloc_zeroed(layout) } else { System.alloc(layout) };
    if base.is_null() { return base; }
    let p = base.add(off);
    *(p.sub(8) as *mut u32) = size as u32;
    *(p.sub(4) as *mut u32) = layout.align() as u32;
    p
}

#[inline]
unsafe fn header(p: *mut u8) -> (usize, usize) {
    (*(p.sub(8) as *const u32) as usize, *(p.sub(4) as *const u32) as usize)
}

#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut u8 { alloc_impl(size, HDR, false) }

#[no_mangle]
pub unsafe extern "C" fn calloc(n: usize, size: usize) -> *mut u8 {
    match n.checked_mul(size) { Some(b) => alloc_impl(b, HDR, true), None => std::ptr::null_mut() }
}

#[no_mangle]
pub unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut u8 {
    if !align.is_power_of_two() { return std::ptr::null_mut(); }
    alloc_impl(size, align, false)
}

#[no_mangle]
pub unsafe extern "C" fn free(p: *mut u8) {
    if p.is_null() { return; }
    let (size, align) = header(p);
    System.dealloc(p.sub(align), Layout::from_size_align_unchecked(size + align, align));
}

#[no_mangle]
pub unsafe extern "C" fn realloc(p: *mut u8, new_size: usize) -> *mut u8 {
    if p.is_null() { return malloc(new_size); }
    let (size, align) = header(p);
    let total = match new_size.checked_add(align) { Some(t) if t <= isize::MAX as usize - align => t, _ => return std::ptr::null_mut() };
    let base = System.realloc(p.sub(align), Layout::from_size_align_unchecked(size + align, align), total);
    if base.is_null() { return base; }
    let q = base.add(align);
    *(q.sub(8) as *mut u32) = new_size as u32;
    q
}
