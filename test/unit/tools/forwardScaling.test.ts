/** The bench's size table, CPU flags and argument parsing: what the BENCHMARKS rows are computed from. */
import assert from 'node:assert/strict';
import { forwardScalingRows, parseCpuInfo, parseSizes } from '../../../tools/bench/forwardScaling';
import { GPT2_SIZES, gpt2ParameterCount } from '../../../tools/bench/randomCheckpoint';

describe('forward scaling bench', () => {
  it('counts the parameters of the four GPT-2 shapes as Hugging Face reports them', () => {
    assert.equal(gpt2ParameterCount(GPT2_SIZES.small), 124_439_808);
    assert.equal(gpt2ParameterCount(GPT2_SIZES.medium), 354_823_168);
    assert.equal(gpt2ParameterCount(GPT2_SIZES.large), 774_030_080);
    assert.equal(gpt2ParameterCount(GPT2_SIZES.xl), 1_557_611_200);
  });

  it('reads the model name and the SIMD flags of the first processor', () => {
    const info =
      'processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512_vnni sha_ni\n\nprocessor\t: 1\nflags\t: fpu\n';
    assert.deepEqual(parseCpuInfo(info), { model: 'AMD EPYC 9B14', flags: ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512_vnni'] });
    assert.deepEqual(parseCpuInfo('model name : X\nflags : sse avx2\n').flags, ['avx2'], 'avx2 without fma or avx512 is reported as such');
  });

  it('defaults to small and refuses an unknown size by name', () => {
    assert.deepEqual(parseSizes(undefined), ['small']);
    assert.deepEqual(parseSizes('small,xl'), ['small', 'xl']);
    assert.throws(() => parseSizes('small,huge'), /unknown size\(s\) huge: use small, medium, large, xl/);
  });

  it('computes the ratio to PyTorch, the shares of the peak and RSS over the f32 weights', () => {
    const rows = forwardScalingRows(
      [
        {
          size: 'small',
          parameters: 100e6,
          weightBytes: 400 * 2 ** 20,
          loadS: 1,
          rows: [{ tokens: 64, oursWallMs: 50, oursCpuMs: 100, torchWallMs: 100, torchCpuMs: 400, flop: 10e9 }],
          rssMb: 520,
          peakRssMb: 600,
        },
      ],
      { gflops: 400, gflopPerCpuS: 200 },
    );
    // 10 GFLOP in 50 ms = 200 GFLOP/s = 50% of 400; per CPU-second 100 = 50% of 200
    assert.equal(rows[2], '| small | 64 | 50.0 / 100.0 | 100.0 / 400.0 | 0.50× / 0.25× | 200.0, 50% / 50% | 100.0, 25% / 13% |');
    assert.match(rows[rows.length - 1], /\| small \| 100 M \| 400 \| 1\.00 \| 520 \/ 600 \| 1\.30× \/ 1\.50× \|/);
  });
});
