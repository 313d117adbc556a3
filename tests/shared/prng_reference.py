# Independent Python reference of shared/prng.ts (xoshiro128** seeded by SplitMix32,
# Box–Muller cosine half). It produced the known values pinned in prng_test.ts.
# Run: python3 tests/shared/prng_reference.py
import math, struct
M=0xffffffff
def splitmix32(x):
    x=(x+0x9e3779b9)&M
    t=x^(x>>16); t=(t*0x21f0aaad)&M; t^=t>>15; t=(t*0x735a2d97)&M; t^=t>>15
    return x,t
def rotl(x,k): return ((x<<k)|(x>>(32-k)))&M
class X:
    def __init__(s,seed=None,state=None):
        if state: s.s=list(state); return
        x=seed; s.s=[]
        for i in range(4):
            x,v=splitmix32(x); s.s.append(v)
    def next(s):
        a=s.s; r=(rotl((a[1]*5)&M,7)*9)&M; t=(a[1]<<9)&M
        a[2]^=a[0]; a[3]^=a[1]; a[1]^=a[2]; a[0]^=a[3]; a[2]^=t; a[3]=rotl(a[3],11); return r
    def uni(s): return (s.next()+0.5)/4294967296
    def normal(s):
        u1=s.uni(); u2=s.uni(); return math.sqrt(-2*math.log(u1))*math.cos(2*math.pi*u2)
f32=lambda v: struct.unpack('f',struct.pack('f',v))[0]
x=X(state=[1,2,3,4]); print("state1234", [x.next() for _ in range(6)])
x=X(seed=42); print("seed42 uint32", [x.next() for _ in range(4)])
x=X(seed=0); print("seed0 normals f32", [repr(f32(x.normal())) for _ in range(6)])
x=X(seed=4294967295); print("seedmax uint32", [x.next() for _ in range(2)])
