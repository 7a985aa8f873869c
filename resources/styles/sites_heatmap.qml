<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis styleCategories="Symbology|Labeling" version="3.22.16-Białowieża" labelsEnabled="0">
  <renderer-v2 type="heatmapRenderer" referencescale="-1" max_value="0" radius_unit="0" symbollevels="0" radius="12" weight_expression="CASE WHEN &quot;status&quot; = 'open' THEN coalesce(&quot;population_total&quot;, 0) ELSE 0 END" enableorderby="0" radius_map_unit_scale="3x:0,0,0,0,0,0" quality="2" forceraster="0">
    <colorramp type="gradient" name="[source]">
      <Option type="Map">
        <Option type="QString" name="color1" value="255,255,178,0"/>
        <Option type="QString" name="color2" value="189,0,38,255"/>
        <Option type="QString" name="discrete" value="0"/>
        <Option type="QString" name="rampType" value="gradient"/>
        <Option type="QString" name="stops" value="0.25;254,204,92,170:0.6;240,59,32,220"/>
      </Option>
      <prop k="color1" v="255,255,178,0"/>
      <prop k="color2" v="189,0,38,255"/>
      <prop k="discrete" v="0"/>
      <prop k="rampType" v="gradient"/>
      <prop k="stops" v="0.25;254,204,92,170:0.6;240,59,32,220"/>
    </colorramp>
  </renderer-v2>
  <blendMode>0</blendMode>
  <featureBlendMode>0</featureBlendMode>
  <layerGeometryType>0</layerGeometryType>
</qgis>
