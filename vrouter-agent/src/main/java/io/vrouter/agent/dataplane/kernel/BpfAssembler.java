package io.vrouter.agent.dataplane.kernel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes eBPF instructions (linux/bpf.h: 8 bytes each, {@code u8 code, u8 dst:4 src:4, s16 off,
 * s32 imm}, little-endian) with named jump targets, so programs read as assembly in Java rather
 * than as a compiled object the build would need clang for. Only the instructions the fast path
 * uses. Jumps are resolved by {@link #assemble()}; an unknown label is an error there.
 */
final class BpfAssembler {
    static final int R0 = 0;
    static final int R1 = 1;
    static final int R2 = 2;
    static final int R3 = 3;
    static final int R4 = 4;
    static final int R5 = 5;
    static final int R6 = 6;
    static final int R7 = 7;
    static final int FP = 10;
    /** Access sizes (BPF_W, BPF_H, BPF_B, BPF_DW). */
    static final int W = 0x00;
    static final int H = 0x08;
    static final int B = 0x10;
    static final int DW = 0x18;

    private static final int LD = 0x00;
    private static final int LDX = 0x01;
    private static final int STX = 0x03;
    private static final int ALU = 0x04;
    private static final int JMP = 0x05;
    private static final int JMP32 = 0x06;
    private static final int ALU64 = 0x07;
    private static final int MEM = 0x60;
    private static final int ABS = 0x20;
    private static final int ATOMIC = 0xc0;
    private static final int IMM = 0x00;
    private static final int K = 0x00;
    private static final int X = 0x08;
    private static final int ADD = 0x00;
    private static final int AND = 0x50;
    private static final int MOV = 0xb0;
    private static final int JA = 0x00;
    private static final int JEQ = 0x10;
    private static final int JNE = 0x50;
    private static final int CALL = 0x80;
    private static final int EXIT = 0x90;
    private static final int PSEUDO_MAP_FD = 1;

    private record Insn(int code, int dst, int src, int off, int imm, String target) {
    }

    private final List<Insn> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** Marks the next instruction as {@code label}. */
    BpfAssembler label(String label) {
        if (labels.putIfAbsent(label, insns.size()) != null) {
            throw new IllegalArgumentException("label " + label + " defined twice");
        }
        return this;
    }

    BpfAssembler movImm(int dst, int imm) {
        return add(ALU64 | MOV | K, dst, 0, 0, imm);
    }

    BpfAssembler movReg(int dst, int src) {
        return add(ALU64 | MOV | X, dst, src, 0, 0);
    }

    BpfAssembler addImm(int dst, int imm) {
        return add(ALU64 | ADD | K, dst, 0, 0, imm);
    }

    /** 32-bit AND (the upper half is zeroed, as classic BPF's A register would be). */
    BpfAssembler andImm32(int dst, int imm) {
        return add(ALU | AND | K, dst, 0, 0, imm);
    }

    BpfAssembler andImm(int dst, int imm) {
        return add(ALU64 | AND | K, dst, 0, 0, imm);
    }

    /** dst = *(size *)(src + off). */
    BpfAssembler load(int size, int dst, int src, int off) {
        return add(LDX | MEM | size, dst, src, off, 0);
    }

    /** *(size *)(dst + off) = src. */
    BpfAssembler store(int size, int dst, int off, int src) {
        return add(STX | MEM | size, dst, src, off, 0);
    }

    /** lock *(u64 *)(dst + off) += src. */
    BpfAssembler atomicAdd64(int dst, int off, int src) {
        return add(STX | ATOMIC | DW, dst, src, off, ADD);
    }

    /** Classic-style packet load: r0 = the frame's big-endian word/half/byte at {@code offset} (r6 = ctx). */
    BpfAssembler loadAbsolute(int size, int offset) {
        return add(LD | ABS | size, 0, 0, 0, offset);
    }

    /** dst = the map whose descriptor is {@code fd} (a two-slot ld_imm64). */
    BpfAssembler loadMap(int dst, int fd) {
        add(LD | DW | IMM, dst, PSEUDO_MAP_FD, 0, fd);
        return add(0, 0, 0, 0, 0);
    }

    BpfAssembler jeqImm(int dst, int imm, String target) {
        return jump(JMP | JEQ | K, dst, imm, target);
    }

    /** A jump when the low 32 bits of dst equal imm (classic BPF's unsigned 32-bit compare). */
    BpfAssembler jeq32Imm(int dst, int imm, String target) {
        return jump(JMP32 | JEQ | K, dst, imm, target);
    }

    BpfAssembler jneImm(int dst, int imm, String target) {
        return jump(JMP | JNE | K, dst, imm, target);
    }

    BpfAssembler jump(String target) {
        return jump(JMP | JA, 0, 0, target);
    }

    BpfAssembler call(int helper) {
        return add(JMP | CALL, 0, 0, 0, helper);
    }

    BpfAssembler exit() {
        return add(JMP | EXIT, 0, 0, 0, 0);
    }

    /** Instructions so far. */
    int size() {
        return insns.size();
    }

    /** The program's bytes, jumps resolved. */
    byte[] assemble() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(insns.size() * 8);
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn i = insns.get(pc);
            int off = i.off();
            if (i.target() != null) {
                Integer at = labels.get(i.target());
                if (at == null) {
                    throw new IllegalStateException("jump to undefined label " + i.target());
                }
                off = at - pc - 1;
            }
            out.write(i.code());
            out.write((i.src() << 4) | i.dst());
            out.write(off & 0xff);
            out.write((off >> 8) & 0xff);
            for (int s = 0; s < 32; s += 8) {
                out.write((i.imm() >>> s) & 0xff);
            }
        }
        return out.toByteArray();
    }

    private BpfAssembler jump(int code, int dst, int imm, String target) {
        insns.add(new Insn(code, dst, 0, 0, imm, target));
        return this;
    }

    private BpfAssembler add(int code, int dst, int src, int off, int imm) {
        insns.add(new Insn(code, dst, src, off, imm, null));
        return this;
    }
}
