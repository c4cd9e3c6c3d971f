/*
 * Montgomery multiplication and squaring for 4×64-bit moduli below 2^254,
 * x86-64 with BMI2 (MULX) and ADX (ADCX/ADOX).  SysV ABI.
 *
 *   void tc_mont_mul_adx(uint64_t r[4], const uint64_t a[4],
 *                        const uint64_t b[4], const uint64_t p[4], uint64_t n0);
 *   void tc_mont_sqr_adx(uint64_t r[4], const uint64_t a[4],
 *                        const uint64_t p[4], uint64_t n0);
 *
 * r = a·b·2^−256 mod p (resp. a²·2^−256), for a, b < p and n0 = −p⁻¹ mod 2^64.
 * The result is fully reduced.  r may alias a or b: r is written only after
 * the last read of the inputs.
 *
 * Multiplication is CIOS (Koç, Acar, Kaliski, "Analyzing and comparing
 * Montgomery multiplication algorithms", IEEE Micro 1996, §4.2) with two carry
 * chains per row: ADOX adds the low halves of the 64×64 products, ADCX the
 * high halves (Gueron and Krasnov, "Fast prime field elliptic-curve
 * cryptography with 256-bit primes", 2014, use the same split).  Because
 * p < 2^254, the running value stays below 2p < 2^255 and t + a·b_i + m·p
 * fits in five words, so the top word never carries out and no sixth word
 * is needed.
 *
 * Squaring forms the 512-bit square from the 6 cross products (doubled) and
 * the 4 diagonal squares, then reduces the low half in 4 Montgomery rounds
 * and adds the high half: (lo + M·p)/2^256 ≤ p and hi < p, so the sum is
 * below 2p and one conditional subtraction finishes.
 */

#if defined(__x86_64__) && defined(__ELF__)   /* as TC_HAVE_ADX_ASM */

    .intel_syntax noprefix
    .text

/* One Montgomery round on the 4-word value (t0, t1, t2, t3) plus a fifth
 * word top: with m = t0·n0 mod 2^64, (t0..t3, top) + m·p is divisible by
 * 2^64, and the quotient goes to (t1', t2', t3', t0') — the caller rotates
 * register names, so the new value is (t1, t2, t3, t0).  Uses rax, rdx, hi.
 * Expects rdx free; p in rcx, n0 in r8. */
.macro MONT_ROUND t0, t1, t2, t3, top, hi
    mov     rdx, r8
    imul    rdx, \t0                /* m = t0·n0 mod 2^64 */
    xor     eax, eax                /* CF = OF = 0 */
    mulx    \hi, rax, [rcx]         /* m·p0 */
    adox    rax, \t0                /* low word vanishes; OF carries */
    adcx    \t1, \hi
    mulx    \hi, rax, [rcx + 8]     /* m·p1 */
    adox    \t1, rax
    adcx    \t2, \hi
    mulx    \hi, rax, [rcx + 16]    /* m·p2 */
    adox    \t2, rax
    adcx    \t3, \hi
    mulx    \t0, rax, [rcx + 24]    /* m·p3: high half becomes the new top */
    adox    \t3, rax
    mov     eax, 0                  /* mov keeps the flags */
    adcx    \t0, \top
    adox    \t0, rax
.endm

/* (t0..t3, top) += a·rdx, with a at [rsi]; top is written.  Uses rax, hi. */
.macro MUL_ROW t0, t1, t2, t3, top, hi
    xor     eax, eax
    mulx    \hi, rax, [rsi]
    adox    \t0, rax
    adcx    \t1, \hi
    mulx    \hi, rax, [rsi + 8]
    adox    \t1, rax
    adcx    \t2, \hi
    mulx    \hi, rax, [rsi + 16]
    adox    \t2, rax
    adcx    \t3, \hi
    mulx    \top, rax, [rsi + 24]
    adox    \t3, rax
    mov     eax, 0
    adcx    \top, rax
    adox    \top, rax
.endm

/* r[0..3] = (t0..t3) − p if that does not borrow, else (t0..t3).
 * Clobbers rax, rdx, rsi, r8. */
.macro FINAL_SUB t0, t1, t2, t3
    mov     rax, \t0
    mov     rdx, \t1
    mov     rsi, \t2
    mov     r8, \t3
    sub     rax, [rcx]
    sbb     rdx, [rcx + 8]
    sbb     rsi, [rcx + 16]
    sbb     r8, [rcx + 24]
    cmovc   rax, \t0
    cmovc   rdx, \t1
    cmovc   rsi, \t2
    cmovc   r8, \t3
    mov     [rdi], rax
    mov     [rdi + 8], rdx
    mov     [rdi + 16], rsi
    mov     [rdi + 24], r8
.endm

/* ------------------------------------------------------------------ mul */
/* rdi = r, rsi = a, rdx = b, rcx = p, r8 = n0.
 * Running value t = (r10, r11, r12, r13), fifth word r14; r15 high halves. */
    .globl  tc_mont_mul_adx
    .type   tc_mont_mul_adx, @function
    .p2align 5
tc_mont_mul_adx:
    .cfi_startproc
    push    r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r12, 0
    push    r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r13, 0
    push    r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r14, 0
    push    r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r15, 0
    mov     r9, rdx                 /* b */

    /* row 0: t = a·b0 */
    mov     rdx, [r9]
    mulx    r11, r10, [rsi]
    mulx    r12, rax, [rsi + 8]
    add     r11, rax
    mulx    r13, rax, [rsi + 16]
    adc     r12, rax
    mulx    r14, rax, [rsi + 24]
    adc     r13, rax
    adc     r14, 0
    MONT_ROUND r10, r11, r12, r13, r14, r15     /* t = (r11, r12, r13, r10) */

    mov     rdx, [r9 + 8]
    MUL_ROW r11, r12, r13, r10, r14, r15
    MONT_ROUND r11, r12, r13, r10, r14, r15     /* t = (r12, r13, r10, r11) */

    mov     rdx, [r9 + 16]
    MUL_ROW r12, r13, r10, r11, r14, r15
    MONT_ROUND r12, r13, r10, r11, r14, r15     /* t = (r13, r10, r11, r12) */

    mov     rdx, [r9 + 24]
    MUL_ROW r13, r10, r11, r12, r14, r15
    MONT_ROUND r13, r10, r11, r12, r14, r15     /* t = (r10, r11, r12, r13) */

    FINAL_SUB r10, r11, r12, r13

    pop     r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore r15
    pop     r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore r14
    pop     r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore r13
    pop     r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore r12
    ret
    .cfi_endproc
    .size   tc_mont_mul_adx, . - tc_mont_mul_adx

/* ------------------------------------------------------------------ sqr */
/* rdi = r, rsi = a, rdx = p, rcx = n0.  The square is w0..w7 =
 * (r9, r10, r11, r12, r13, r14, r15, rbp); rbx holds high halves. */
    .globl  tc_mont_sqr_adx
    .type   tc_mont_sqr_adx, @function
    .p2align 5
tc_mont_sqr_adx:
    .cfi_startproc
    push    rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbx, 0
    push    rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbp, 0
    push    r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r12, 0
    push    r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r13, 0
    push    r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r14, 0
    push    r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r15, 0
    mov     r8, rcx                 /* n0 */
    mov     rcx, rdx                /* p */

    /* cross products a_i·a_j, i < j, into w1..w6 */
    mov     rdx, [rsi]
    mulx    r11, r10, [rsi + 8]     /* a0a1 → w1, w2 */
    mulx    r12, rax, [rsi + 16]    /* a0a2 → w2, w3 */
    add     r11, rax
    mulx    r13, rax, [rsi + 24]    /* a0a3 → w3, w4 */
    adc     r12, rax
    adc     r13, 0
    mov     rdx, [rsi + 8]
    mulx    rbx, rax, [rsi + 16]    /* a1a2 → w3, w4 */
    mulx    r14, r9, [rsi + 24]     /* a1a3 → w4, w5 */
    add     r12, rax
    adc     r13, rbx
    adc     r14, 0
    add     r13, r9
    adc     r14, 0                  /* the partial sum is below 2^384 */
    mov     rdx, [rsi + 16]
    mulx    r15, rax, [rsi + 24]    /* a2a3 → w5, w6 */
    add     r14, rax
    adc     r15, 0

    /* double (ADCX chain) and add the squares a_i² (ADOX chain) */
    xor     eax, eax
    mov     rdx, [rsi]
    mulx    rbx, r9, rdx            /* a0² → w0, w1 */
    adcx    r10, r10
    adox    r10, rbx
    mov     rdx, [rsi + 8]
    mulx    rbx, rax, rdx           /* a1² → w2, w3 */
    adcx    r11, r11
    adox    r11, rax
    adcx    r12, r12
    adox    r12, rbx
    mov     rdx, [rsi + 16]
    mulx    rbx, rax, rdx           /* a2² → w4, w5 */
    adcx    r13, r13
    adox    r13, rax
    adcx    r14, r14
    adox    r14, rbx
    mov     rdx, [rsi + 24]
    mulx    rbp, rax, rdx           /* a3² → w6, w7 */
    adcx    r15, r15
    adox    r15, rax
    mov     eax, 0
    adcx    rbp, rax
    adox    rbp, rax

    /* reduce the low half w0..w3 (no fifth word: the value is < 2^256) */
    xor     esi, esi
    MONT_ROUND r9, r10, r11, r12, rsi, rbx      /* (r10, r11, r12, r9) */
    MONT_ROUND r10, r11, r12, r9, rsi, rbx      /* (r11, r12, r9, r10) */
    MONT_ROUND r11, r12, r9, r10, rsi, rbx      /* (r12, r9, r10, r11) */
    MONT_ROUND r12, r9, r10, r11, rsi, rbx      /* (r9, r10, r11, r12) */

    /* add the high half w4..w7: the sum is below 2p < 2^255 */
    add     r9, r13
    adc     r10, r14
    adc     r11, r15
    adc     r12, rbp

    FINAL_SUB r9, r10, r11, r12

    pop     r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore r15
    pop     r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore r14
    pop     r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore r13
    pop     r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore r12
    pop     rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbp
    pop     rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbx
    ret
    .cfi_endproc
    .size   tc_mont_sqr_adx, . - tc_mont_sqr_adx

#endif

#if defined(__ELF__)
    .section .note.GNU-stack, "", @progbits
#endif
