package io.vrouter.provision.store;

class MemoryConfigStoreTest extends ConfigStoreContractTest {
    @Override
    protected ConfigStore createStore() {
        return new MemoryConfigStore();
    }
}
