package talc.wasm.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The scan behind the build's check that no code the exports reach uses a static field. */
class PostProcessTest {
    @Test
    void findsLoadsAndStoresAtConstantAddressesWithTheirOffsets() {
        String wat = """
                (func (param i32) (result i32)
                  (i32.store offset=8 align=2
                    (i32.const 496)
                    (local.get 0))
                  (i64.load (i32.const 504))
                  drop
                  (i32.load8_u offset=4
                    (i32.const -16)))
                """;
        assertEquals(List.of(504L, 504L, 0xFFFF_FFF0L + 4), PostProcess.constantAddresses(wat));
    }

    @Test
    void accessesThroughLocalsAndGlobalsAreNotStaticFields() {
        String wat = """
                (func (param i32) (result i32)
                  (i32.store offset=36 (global.get $talc_handle) (i32.const 7))
                  (i32.load offset=4 (i32.add (local.get 0) (i32.const 16))))
                """;
        assertEquals(List.of(), PostProcess.constantAddresses(wat));
    }
}
