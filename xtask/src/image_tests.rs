use super::*;

/// A little-endian ELF64 executable for x86-64 with the given program headers (type, offset,
/// size) followed by `tail`, which starts at offset 64 + 56 per header.
fn elf(segments: &[(u32, u64, u64)], tail: &[u8]) -> Vec<u8> {
    let mut out = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    out.resize(16, 0);
    out.extend_from_slice(&3u16.to_le_bytes()); // e_type: ET_DYN, as a static-pie is
    out.extend_from_slice(&62u16.to_le_bytes()); // e_machine: x86-64
    out.extend_from_slice(&1u32.to_le_bytes()); // e_version
    out.extend_from_slice(&0u64.to_le_bytes()); // e_entry
    out.extend_from_slice(&64u64.to_le_bytes()); // e_phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    out.extend_from_slice(&64u16.to_le_bytes()); // e_ehsize
    out.extend_from_slice(&56u16.to_le_bytes()); // e_phentsize
    out.extend_from_slice(&u16::try_from(segments.len()).unwrap_or(0).to_le_bytes());
    out.extend_from_slice(&[0; 6]); // e_shentsize, e_shnum, e_shstrndx
    for &(kind, offset, size) in segments {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&4u32.to_le_bytes()); // p_flags: R
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&[0; 16]); // p_vaddr, p_paddr
        out.extend_from_slice(&size.to_le_bytes()); // p_filesz
        out.extend_from_slice(&size.to_le_bytes()); // p_memsz
        out.extend_from_slice(&8u64.to_le_bytes()); // p_align
    }
    out.extend_from_slice(tail);
    out
}

/// Dynamic entries (tag, value), 16 bytes each.
fn dynamic(entries: &[(i64, u64)]) -> Vec<u8> {
    entries
        .iter()
        .flat_map(|&(tag, value)| [tag.to_le_bytes(), value.to_le_bytes()].concat())
        .collect()
}

#[test]
fn the_build_line_is_the_dockerfiles_static_build() {
    let dockerfile = include_str!("../../Dockerfile");
    assert_eq!(
        build_command(dockerfile).map_err(|err| err.to_string()),
        Ok(
            r#"RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --bin intercom-mcp --target "$RUST_TARGET""#
        )
    );
}

#[test]
fn a_dockerfile_with_no_or_two_build_lines_is_refused() {
    assert!(build_command("FROM scratch\n").is_err());
    let two = "RUN cargo build --release --bin intercom-mcp --target \"$RUST_TARGET\"\n".repeat(2);
    assert!(build_command(&two).is_err());
    let host_target = "RUN cargo build --release --locked --bin intercom-mcp\n";
    assert!(build_command(host_target).is_err());
}

#[test]
fn an_elf_without_interpreter_or_libraries_is_static() {
    assert!(check_static(&elf(&[], &[])).is_ok());
    // A static-pie: a dynamic segment for its own relocations, and no DT_NEEDED.
    let table = dynamic(&[(36, 0x1000), (0, 0)]); // DT_RELR, DT_NULL
    let static_pie = elf(&[(2, 64 + 56, table.len() as u64)], &table);
    assert!(check_static(&static_pie).is_ok());
}

#[test]
fn an_elf_needing_a_library_or_a_loader_is_not_static() {
    let table = dynamic(&[(1, 1), (1, 9), (0, 0)]); // DT_NEEDED twice
    let needs = elf(&[(2, 64 + 56, table.len() as u64)], &table);
    let err = check_static(&needs).err().map(|err| err.to_string());
    assert_eq!(
        err.as_deref(),
        Some("it needs 2 shared libraries (DT_NEEDED)")
    );

    let loader = elf(&[(3, 64 + 56, 0)], &[]); // PT_INTERP
    let err = check_static(&loader).err().map(|err| err.to_string());
    assert!(err.is_some_and(|err| err.contains("PT_INTERP")));

    assert!(check_static(b"#!/bin/sh\n").is_err());
}

#[test]
fn this_test_binary_is_dynamic() {
    // Built for the host's glibc without crt-static: the counter-example the image must not be.
    let exe = std::env::current_exe().and_then(std::fs::read);
    assert!(exe.is_ok_and(|bytes| check_static(&bytes).is_err()));
}

#[test]
fn the_server_name_comes_from_a_github_repository() {
    assert_eq!(
        server_name("https://github.com/acme/intercom-mcp").as_deref(),
        Some("io.github.acme/intercom-mcp")
    );
    assert_eq!(server_name("https://gitlab.com/acme/intercom-mcp"), None);
    assert_eq!(server_name("https://github.com/"), None);
}
