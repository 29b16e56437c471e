package io.vrouter.agent.dataplane.kernel;

/**
 * Translates a classic BPF filter into eBPF, so a socket program can end with a verdict that is
 * already tested as classic BPF (LinkLocalFilter, checked against libpcap). Supported: LD_ABS
 * (word, half, byte), ALU AND K, JEQ K, RET K, i.e. what that filter uses. Classic A is eBPF r0,
 * LD_ABS reads the frame through r6 (the context, as the caller set it) and ends the program
 * with 0 past the frame's end, as classic BPF does; comparisons are 32-bit, as classic ones are.
 */
final class ClassicBpf {
    private static final int LD_W_ABS = 0x20;
    private static final int LD_H_ABS = 0x28;
    private static final int LD_B_ABS = 0x30;
    private static final int ALU_AND_K = 0x54;
    private static final int JEQ_K = 0x15;
    private static final int RET_K = 0x06;

    private ClassicBpf() {
    }

    /** Appends {@code program} ({code, jt, jf, k} rows) to {@code a}, its labels prefixed {@code prefix}. */
    static void translate(int[][] program, BpfAssembler a, String prefix) {
        for (int pc = 0; pc < program.length; pc++) {
            int[] i = program[pc];
            a.label(prefix + pc);
            switch (i[0]) {
                case LD_W_ABS -> a.loadAbsolute(BpfAssembler.W, i[3]);
                case LD_H_ABS -> a.loadAbsolute(BpfAssembler.H, i[3]);
                case LD_B_ABS -> a.loadAbsolute(BpfAssembler.B, i[3]);
                case ALU_AND_K -> a.andImm32(BpfAssembler.R0, i[3]);
                case JEQ_K -> {
                    a.jeq32Imm(BpfAssembler.R0, i[3], prefix + (pc + 1 + i[1]));
                    a.jump(prefix + (pc + 1 + i[2]));
                }
                case RET_K -> a.movImm(BpfAssembler.R0, i[3]).exit();
                default -> throw new IllegalArgumentException(
                        "classic BPF opcode 0x" + Integer.toHexString(i[0]) + " at " + pc + " is not translated");
            }
        }
    }
}
